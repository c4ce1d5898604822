package activedirectory

import (
	"context"
	"strings"
	"testing"
)

func TestEnsureOrganisation(t *testing.T) {
	for _, tc := range []struct {
		name, template string
	}{
		{"flat", "OU={organisation},"},
		{"with an OU below", "OU=Users,OU={organisation},"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.OrganisationDN = tc.template + c.BaseDN })
			ctx := context.Background()
			dn, err := f.c.EnsureOrganisation(ctx, "RR8")
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSuffix(tc.template, "OU={organisation},") + "OU=RR8," + f.ou; dn != want {
				t.Errorf("DN = %s, want %s", dn, want)
			}
			if f.read(t, dn, "objectClass") == nil {
				t.Fatalf("%s was not made", dn)
			}
			// Known now: no more requests.
			before := f.c.Stats()
			if _, err := f.c.EnsureOrganisation(ctx, "RR8"); err != nil {
				t.Fatal(err)
			}
			if after := f.c.Stats(); after != before {
				t.Errorf("the second call sent requests: %+v, then %+v", before, after)
			}
			// Another client (another night) finds it there.
			c2, err := Dial(ctx, f.cfg, testLog(t))
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			if _, err := c2.EnsureOrganisation(ctx, "RR8"); err != nil {
				t.Errorf("existing container: %v", err)
			}
			if st := c2.Stats(); st.Adds != 0 {
				t.Errorf("%d adds for an existing container", st.Adds)
			}
		})
	}
}
