package ldapdirectory

import (
	"context"
	"encoding/csv"
	"os"
	"strconv"
	"strings"
	"testing"

	"connectord/directoryfile"
	"connectord/store"

	"github.com/go-ldap/ldap/v3"
)

// sampleDirectory is testdata/directory.csv in the test's mail domain.
func (f *fixture) sampleDirectory(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../testdata/directory.csv")
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(data), "@nhs.net", "@"+f.domain)
}

// seedEmbedded loads the sample directory into st, the embedded way.
func (f *fixture) seedEmbedded(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	reg, err := st.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := directoryfile.ImportReport(strings.NewReader(f.sampleDirectory(t)), "directory.csv", tx, reg, testNow); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// seedAD puts the same entries in the test's OU, as an administrator
// would have made them: users in their organisation's OU (disabled, no
// password), contacts beside them, the fields AD has no attribute for in
// f.st beside the Local ID.
func (f *fixture) seedAD(t *testing.T) {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(f.sampleDirectory(t))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	tx, err := f.st.BeginDirectory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ous := map[string]bool{}
	for _, r := range rows[1:] {
		get := func(name string) string { return r[col[name]] }
		org := get("Organisation")
		if !ous[org] {
			f.add(t, "OU="+org+","+f.ou, map[string]string{"objectClass": "organizationalUnit"})
			ous[org] = true
		}
		first, last := get("FirstName"), get("LastName")
		attrs := map[string]string{"givenName": first, "sn": last, "displayName": first + " " + last, "mail": get("EmailAddress"),
			"employeeID": get("Local ID"), "personalTitle": get("Title"), "title": get("JobTitle"),
			"telephoneNumber": get("OfficePhone"), "mobile": get("MobilePhone"), "facsimileTelephoneNumber": get("Fax"),
			"pager": get("Pager"), "department": get("OrganisationUnit"), "employeeType": get("ClinicalRole"),
			"division": get("ClinicalSpeciality"), "physicalDeliveryOfficeName": get("WorkArea")}
		dn := "CN=" + ldap.EscapeDN(first+" "+last) + ",OU=" + org + "," + f.ou
		if get("Type") == store.KindContact {
			attrs["objectClass"] = "contact"
			for _, a := range []string{"employeeType", "division", "department", "physicalDeliveryOfficeName", "personalTitle"} {
				delete(attrs, a)
			}
			f.add(t, dn, attrs)
			continue
		}
		attrs["objectClass"] = "user"
		attrs["userPrincipalName"] = get("EmailAddress")
		attrs["sAMAccountName"] = strings.ToLower(first[:1]+last) + f.tag
		f.add(t, dn, attrs)
		if id := get("Local ID"); id != "" {
			size, _ := strconv.Atoi(get("EmailSize"))
			if err := tx.KeepFields(&store.Mailbox{LocalID: id, EmailSize: size}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// add creates an entry as Administrator, leaving out blank attributes.
func (f *fixture) add(t *testing.T, dn string, attrs map[string]string) {
	t.Helper()
	req := ldap.NewAddRequest(dn, nil)
	for k, v := range attrs {
		if v != "" {
			req.Attribute(k, []string{v})
		}
	}
	if err := f.admin.Add(req); err != nil {
		t.Fatalf("add %s: %v", dn, err)
	}
}
