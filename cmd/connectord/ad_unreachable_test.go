package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/internal/sambatest"
	"connectord/store"
)

// Active Directory stops answering part-way through the file: the night
// fails saying so (its log, and its run record, which /healthz, the
// metrics and the console's Nights show), the file stays accepted with no
// results email, and the next night finishes it as an uninterrupted night
// would have.
// It stalls dc, so nothing else may use dc meanwhile.
func unreachableMidFile(t *testing.T, dc *sambatest.DC, uninterrupted *awaited[adSummary]) {
	c := newADCase(t, dc, false, "    timeout: 3s\n")
	cmd := c.batchCmd(adRunDay, "")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(c.dir, "var", "results")
	deadline := time.Now().Add(5 * time.Minute)
	for !growing(results, 64<<10) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the file's results never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	resume := c.dc.Stall(t)
	err := cmd.Wait()
	resume()
	if err == nil {
		t.Fatal("the night finished although the directory stopped answering: make the file bigger")
	}
	st := c.store()
	ctx := context.Background()
	subs, _ := st.Submissions(ctx, store.SubmissionFilter{Sender: "admin.leeds@nhs.net"})
	runs, _ := st.Runs(ctx, adRunDay, 0)
	st.Close()
	if len(subs) != 1 || subs[0].State != store.StateAccepted {
		t.Errorf("after the failed night the file is %+v, want still accepted", subs)
	}
	if len(runs) != 1 || runs[0].State != store.RunFailed || !strings.Contains(runs[0].Errors, "staff.csv") ||
		!strings.Contains(runs[0].Errors, c.dc.Addr) {
		t.Errorf("runs %+v, want one failed, naming the file and the directory", runs)
	}
	if !strings.Contains(stderr.String(), "file not processed") {
		t.Errorf("the night's log does not say the file was not processed:\n%s", stderr.String())
	}
	if n := c.resultsMails(); n != 0 {
		t.Errorf("%d results emails after the failed night, want none", n)
	}
	c.must("batch", "run", "-no-sync", "-day", adRunDay)
	c.compare(t, uninterrupted.wait(t), nil)
}
