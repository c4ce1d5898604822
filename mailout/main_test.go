package mailout

import (
	"os"
	"testing"

	"connectord/internal/pgtest"
)

// The store these tests run on is SQLite, or PostgreSQL with
// CONNECTORD_TEST_STORE=postgres (see internal/storetest).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
