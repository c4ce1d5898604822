package ldapdirectory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"connectord/activedirectory"
	"connectord/provision"
	"connectord/pushfile"
	"connectord/store"
)

// Create makes the user in the organisation's container with its initial
// password, and keeps the fields AD has no attribute for.
func (d *Directory) Create(ctx context.Context, m *store.Mailbox, password string, now time.Time) error {
	m.CreatedAt, m.UpdatedAt = now, now
	if d.readOnly {
		d.made[key(m.LocalID)] = *m
		d.addrs[key(m.Address)] = true
		return nil
	}
	e, err := d.c.CreateUser(ctx, activedirectory.NewUser{Organisation: m.Org, LocalID: m.LocalID, Address: m.Address,
		Password: password, Values: values(m)})
	if err != nil {
		return refusal(err)
	}
	m.Ref = e.DN
	if d.keeps() {
		return d.tx.KeepFields(m)
	}
	return nil
}

// Update changes the attributes of the changed fields in one modify (the
// display name with the first or last name), and the kept fields in the
// store.
func (d *Directory) Update(ctx context.Context, m *store.Mailbox, changed []pushfile.Field, now time.Time) error {
	m.UpdatedAt = now
	if d.readOnly {
		d.made[key(m.LocalID)] = *m
		return nil
	}
	var attrs []activedirectory.Field
	kept, name := false, false
	for _, f := range changed {
		a, ok := adField(f)
		switch {
		case !ok:
			return fmt.Errorf("update %s: %s is not a field a file changes", m.Ref, f)
		case d.c.Mapped(a):
			attrs = append(attrs, a)
		default:
			kept = true
		}
		name = name || a == activedirectory.FirstName || a == activedirectory.LastName
	}
	if name {
		attrs = append(attrs, activedirectory.DisplayName)
	}
	v := values(m)
	if err := d.c.Update(ctx, m.Ref, &v, attrs...); err != nil {
		return refusal(err)
	}
	if kept {
		return d.tx.KeepFields(m)
	}
	return nil
}

// refusal turns the directory's refusals of a row into the processor's.
func refusal(err error) error {
	var pe *activedirectory.PasswordError
	var ve *activedirectory.ValueError
	switch {
	case errors.As(err, &pe):
		return &provision.Refusal{Field: pushfile.Password, Reason: pe.Error(), Err: err}
	case errors.As(err, &ve):
		return &provision.Refusal{Field: pushField(ve.Field), Reason: "at most " + strconv.Itoa(ve.Max) + " characters in this directory", Err: err}
	case errors.Is(err, activedirectory.ErrAddressTaken):
		return fmt.Errorf("%w: %w", provision.ErrAddressTaken, err)
	}
	return err
}
