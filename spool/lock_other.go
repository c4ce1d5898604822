//go:build !unix

package spool

import "context"

// Lock is a no-op where flock is missing: run one connectord per data_dir.
func (s *Spool) Lock(ctx context.Context) (unlock func(), err error) { return func() {}, nil }
