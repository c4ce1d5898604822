package benchref

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"connectord/directoryfile"
	"connectord/internal/synth"
	"connectord/store"
)

// Sender is the roster address Setup puts in, for every organisation.
const Sender = "bulk@nhs.net"

// Setup makes a connectord database at path holding set's organisations,
// Sender on the roster for all of them, and set's directory imported by
// the engine (none when set.Rows is 0): what scripts/bench.sh builds with
// the command line, for the go test benchmarks.
func Setup(ctx context.Context, path string, set synth.Set, now time.Time) error {
	st, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	var orgs, dir bytes.Buffer
	if err := set.Organisations(&orgs); err != nil {
		return err
	}
	list, err := directoryfile.ReadOrganisations(&orgs, "orgs.csv")
	if err != nil {
		return err
	}
	if err := st.PutOrganisations(ctx, list); err != nil {
		return err
	}
	codes := make([]string, set.Orgs)
	for i := range codes {
		codes[i] = synth.OrgCode(i)
	}
	if err := st.PutSender(ctx, Sender, codes, "bench", now); err != nil {
		return err
	}
	if set.Rows == 0 {
		return nil
	}
	reg, err := st.Registry(ctx)
	if err != nil {
		return err
	}
	if err := set.Directory(&dir); err != nil {
		return err
	}
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := directoryfile.ImportReport(&dir, "directory.csv", tx, reg, now); err != nil {
		return fmt.Errorf("import the directory: %w", err)
	}
	return tx.Commit()
}

// Copy writes a copy of the database at from to the new file to
// (VACUUM INTO), so each run of a benchmark starts from the same directory.
func Copy(ctx context.Context, from, to string) error {
	db, err := Open(from)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, to); err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	return nil
}
