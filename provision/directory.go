package provision

import (
	"context"
	"errors"
	"time"

	"connectord/pushfile"
	"connectord/store"
)

// Directory is where a file's rows are looked up and applied: connectord's
// own directory in the store (Embedded), or Active Directory (package
// ldapdirectory). Each method sees the changes made before it through the
// same Directory, so a file that creates a Local ID and then updates it
// finds it the second time.
type Directory interface {
	// Batch is how many Local IDs LookupLocalIDs is best given at once; 1
	// looks each row up as it comes.
	Batch() int
	// LookupLocalIDs calls found for each of ids that is in the directory
	// (Local IDs are the same ignoring the case of ASCII letters), with the
	// id as asked and its entry; m is valid only during the call.
	LookupLocalIDs(ctx context.Context, ids []string, found func(id string, m *store.Mailbox)) error
	// ZeroPadded finds an entry of organisation org whose Local ID is
	// number with leading zeros ("000123" for "123"), returning its Local
	// ID and address. number does not start with a zero itself.
	ZeroPadded(ctx context.Context, number, org string) (localID, address string, found bool, err error)
	// NameMatch finds a mailbox of organisation org without a Local ID
	// whose folded name is nameKey (store.NameKey), returning its address
	// (the first in address order).
	NameMatch(ctx context.Context, org, nameKey string) (address string, found bool, err error)
	// TakenNumbers returns, ascending, the collision numbers below limit
	// that addresses of base already take in domain (1 for base@domain
	// itself, n for base+n); nil when the directory cannot say at once, so
	// each candidate is asked with AddressTaken.
	TakenNumbers(ctx context.Context, base, domain string, limit int) ([]int, error)
	// AddressTaken reports whether an entry has this address.
	AddressTaken(ctx context.Context, address string) (bool, error)
	// LocalIDTaken reports whether an entry has this Local ID.
	LocalIDTaken(ctx context.Context, localID string) (bool, error)
	// Create adds a new mailbox with its initial password ("" in a dry
	// run). A *Refusal means the directory refused the row, and made
	// nothing; ErrAddressTaken that the address is in use after all.
	Create(ctx context.Context, m *store.Mailbox, password string, now time.Time) error
	// Update writes the changed fields of an entry LookupLocalIDs found. A
	// *Refusal means the directory refused the change, and made none.
	Update(ctx context.Context, m *store.Mailbox, changed []pushfile.Field, now time.Time) error
	// Audit records one applied change in connectord's audit trail.
	Audit(ctx context.Context, a store.AuditEntry) error
	// CreationCounts returns each organisation's creation limit and how
	// many mailboxes connectord has created for it.
	CreationCounts(ctx context.Context) (map[string][2]int, error)
	// AddCreated adds n to an organisation's count of created mailboxes.
	AddCreated(ctx context.Context, org string, n int) error
}

// Refusal is a row the directory refused: a password its policy does not
// allow, a value longer than its schema does. The row is INVALID with the
// reason, naming the field.
type Refusal struct {
	Field  pushfile.Field
	Reason string
	Err    error // the directory's own answer
}

func (e *Refusal) Error() string { return e.Field.String() + ": " + e.Reason }

func (e *Refusal) Unwrap() error { return e.Err }

// ErrAddressTaken is an address the directory found in use only when the
// mailbox was created (Active Directory keeps userPrincipalName unique
// beyond what connectord searches); the row takes the next free address.
var ErrAddressTaken = errors.New("the address is already in use")

// Embedded is connectord's own directory in the store as a Directory:
// every change goes into tx, which the caller commits or rolls back.
func Embedded(tx *store.DirectoryTx) Directory { return &embedded{tx: tx} }

type embedded struct {
	tx *store.DirectoryTx
	mb store.Mailbox // ByLocalID's, reused
}

func (e *embedded) Batch() int { return windowRows }

// LookupLocalIDs walks the Local ID index in key order
// (store.DirectoryTx.ByLocalIDs); found gets the entry's own Local ID,
// which equals the one asked ignoring ASCII case.
func (e *embedded) LookupLocalIDs(_ context.Context, ids []string, found func(string, *store.Mailbox)) error {
	if len(ids) == 1 {
		ok, err := e.tx.ByLocalID(ids[0], &e.mb)
		if ok {
			found(ids[0], &e.mb)
		}
		return err
	}
	return e.tx.ByLocalIDs(ids, func(m *store.Mailbox) error {
		found(m.LocalID, m)
		return nil
	})
}

func (e *embedded) TakenNumbers(_ context.Context, base, domain string, limit int) ([]int, error) {
	return e.tx.TakenNumbers(base, domain, limit)
}

func (e *embedded) ZeroPadded(_ context.Context, number, org string) (string, string, bool, error) {
	return e.tx.ZeroPadded(number, org)
}

func (e *embedded) NameMatch(_ context.Context, org, nameKey string) (string, bool, error) {
	return e.tx.NameMatch(org, nameKey)
}

func (e *embedded) AddressTaken(_ context.Context, address string) (bool, error) {
	return e.tx.AddressTaken(address)
}

func (e *embedded) LocalIDTaken(_ context.Context, localID string) (bool, error) {
	return e.tx.LocalIDTaken(localID)
}

func (e *embedded) Create(_ context.Context, m *store.Mailbox, _ string, now time.Time) error {
	return e.tx.Insert(m, now)
}

func (e *embedded) Update(_ context.Context, m *store.Mailbox, _ []pushfile.Field, now time.Time) error {
	return e.tx.Update(m, now)
}

func (e *embedded) Audit(_ context.Context, a store.AuditEntry) error { return e.tx.Audit(a) }

func (e *embedded) CreationCounts(context.Context) (map[string][2]int, error) {
	return e.tx.CreationCounts()
}

func (e *embedded) AddCreated(_ context.Context, org string, n int) error {
	return e.tx.AddCreated(org, n)
}

// Backend opens the Directory one file is applied through, over the store
// transaction its other work commits in; readOnly is a dry run's. close
// releases what the Directory holds (a connection), whatever happened.
type Backend func(ctx context.Context, tx *store.DirectoryTx, readOnly bool) (dir Directory, close func(), err error)

// EmbeddedBackend is connectord's own directory: the changes go into tx.
func EmbeddedBackend(_ context.Context, tx *store.DirectoryTx, _ bool) (Directory, func(), error) {
	return Embedded(tx), func() {}, nil
}
