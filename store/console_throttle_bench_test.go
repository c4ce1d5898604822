package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkReserveLogin measures one sign-in attempt's reservation (three
// keys, as the console charges) against a table already holding live
// counts: the prune has nothing to remove and reads past them.
func BenchmarkReserveLogin(b *testing.B) {
	for _, live := range []int{0, 10_000, 100_000} {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			st := openTest(b)
			ctx := context.Background()
			now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
			lim := LoginLimit{Limit: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
			err := st.InTx(ctx, func(t *Tx) error {
				for i := range live {
					if err := t.putLoginRow(fmt.Sprintf("address:10.0.%d.%d", i/256, i%256), loginRow{failures: 1, windowStart: now}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				keys := []LoginKey{
					{Key: fmt.Sprintf("account-address:u%d 192.0.2.1", i), LoginLimit: lim},
					{Key: fmt.Sprintf("address:192.0.2.%d", i%200), LoginLimit: LoginLimit{Limit: 1 << 30, Window: lim.Window, Lockout: lim.Lockout}},
					{Key: fmt.Sprintf("account:u%d", i), LoginLimit: lim},
				}
				if _, err := st.ReserveLogin(ctx, keys, now.Add(time.Minute)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
