package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkClaimMail measures what the sender pays per email before it
// hands the email to the relay: the claim, with and without the fsync that
// makes it outlive a power cut.
func BenchmarkClaimMail(b *testing.B) {
	for _, flush := range []bool{false, true} {
		name := "claim"
		if flush {
			name = "claim+flush"
		}
		b.Run(name, func(b *testing.B) {
			st := openTest(b)
			ctx := context.Background()
			ids := make([]int64, b.N)
			err := st.InTx(ctx, func(tx *Tx) error {
				for i := range ids {
					m := OutboxMessage{Kind: MailAck, Recipient: "a@nhs.net", Subject: "s", Body: "b",
						MessageID: fmt.Sprintf("%d@nhs.net", i)}
					if err := tx.Enqueue(&m, time.Now()); err != nil {
						return err
					}
					ids[i] = m.ID
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for _, id := range ids {
				if ok, err := st.ClaimMail(ctx, id); err != nil || !ok {
					b.Fatalf("claim %d: %v %v", id, ok, err)
				}
				if flush {
					if err := st.Flush(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
