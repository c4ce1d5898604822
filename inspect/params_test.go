package inspect

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestParseMediaHeader(t *testing.T) {
	tests := []struct {
		name, v, value, key, want string
	}{
		{"plain", `text/csv; name="x.csv"`, "text/csv", "name", "x.csv"},
		{"upper case type and key", `Text/CSV; NAME="x.csv"`, "text/csv", "name", "x.csv"},
		{"rfc 2231 utf-8", `attachment; filename*=UTF-8''Clinici%C3%A9ns.csv`, "attachment", "filename", "Cliniciéns.csv"},
		{"rfc 2231 latin-1 (the standard library drops it)", `attachment; filename*=iso-8859-1''Clinici%E9ns.csv`, "attachment", "filename", "Cliniciéns.csv"},
		{"rfc 2231 windows-1252", `attachment; filename*=windows-1252'en'%80uro.csv`, "attachment", "filename", "€uro.csv"},
		{"rfc 2231 continuations", `attachment; filename*0*=UTF-8''a%C3%A9; filename*1="b c"; filename*2*=%20d.csv`, "attachment", "filename", "aéb c d.csv"},
		{"rfc 2231 continuations out of order", `attachment; filename*1=".csv"; filename*0="part"`, "attachment", "filename", "part.csv"},
		{"rfc 2231 wins over plain", `attachment; filename="old.csv"; filename*=UTF-8''new.csv`, "attachment", "filename", "new.csv"},
		{"rfc 2047 in quotes (Outlook)", `application/vnd.ms-excel; name="=?utf-8?B?Q2xpbmljacOrbnMuY3N2?="`, "application/vnd.ms-excel", "name", "Cliniciëns.csv"},
		{"rfc 2047 windows-1252", `attachment; filename="=?windows-1252?Q?Clinici=E9ns.csv?="`, "attachment", "filename", "Cliniciéns.csv"},
		{"unquoted spaces (rejected by mime.ParseMediaType)", `attachment; filename=Staff list.csv`, "attachment", "filename", "Staff list.csv"},
		{"duplicate param, first wins", `attachment; filename="a.csv"; filename="b.csv"`, "attachment", "filename", "a.csv"},
		{"semicolon inside quotes", `attachment; filename="a;b.csv"; size=3`, "attachment", "filename", "a;b.csv"},
		{"escaped quote", `attachment; filename="a\"b.csv"`, "attachment", "filename", `a"b.csv`},
		{"unterminated quote", `attachment; filename="a.csv`, "attachment", "filename", "a.csv"},
		{"bad percent escape kept", `attachment; filename*=UTF-8''50%off.csv`, "attachment", "filename", "50%off.csv"},
		{"empty", ``, "", "filename", ""},
		{"missing param value", `text/plain; charset`, "text/plain", "charset", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			value, params := parseMediaHeader(tc.v)
			if value != tc.value {
				t.Errorf("value = %q, want %q", value, tc.value)
			}
			if got := params[tc.key]; got != tc.want {
				t.Errorf("params[%q] = %q, want %q (all: %q)", tc.key, got, tc.want, params)
			}
		})
	}
}

func TestCleanFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Staff.csv", "Staff.csv"},
		{`C:\Users\alice\Desktop\Staff.csv`, "Staff.csv"},
		{"../../etc/passwd.csv", "passwd.csv"},
		{"Sta\r\nff\x00.csv", "Staff.csv"},
		{"  Staff.csv  ", "Staff.csv"},
		{"bad\xffutf8.csv", "bad\uFFFDutf8.csv"},
		{strings.Repeat("é", 200) + ".csv", strings.Repeat("é", 127)},
		{"Staff\u202Evsc.exe", "Staffvsc.exe"},
		{"\u202BStaff\u202C.csv", "Staff.csv"},
		{"Sta\u200Bff\u200D\u2066.csv\uFEFF", "Staff.csv"},
		{"\u00ADStaff\u061C.csv", "Staff.csv"},
	}
	for _, tc := range tests {
		if got := cleanFilename(tc.in); got != tc.want {
			t.Errorf("cleanFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"=?utf-8?Q?Mise_=C3=A0_jour?=", "Mise à jour"},
		{"=?windows-1252?Q?Caf=E9?=", "Café"},
		{"=?x-unknown?Q?abc?=", "abc"},
		{"=?utf-8?B?broken", "=?utf-8?B?broken"},
		{"raw \xe9 latin-1", "raw \uFFFD latin-1"},
	}
	for _, tc := range tests {
		if got := decodeText(tc.in); got != tc.want {
			t.Errorf("decodeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTransferDecoder(t *testing.T) {
	tests := []struct {
		cte, in, want, err string
	}{
		{"", "a,b\r\n\xe9", "a,b\r\n\xe9", ""},
		{"8BIT", "a,b\xe9", "a,b\xe9", ""},
		{"binary", "\x00\xff", "\x00\xff", ""},
		{"base64", "YSxi\r\nDQrp", "a,b\r\n\xe9", ""},
		{"Base64 ", "YSxi\r\n  DQrp", "a,b\r\n\xe9", ""}, // indented lines
		{"quoted-printable", "a,b=\r\nc,=E9\r\nd", "a,bc,\xe9\r\nd", ""},
		{"base64", "YSx!", "", "illegal base64"},
		{"x-uuencode", "", "", `unknown Content-Transfer-Encoding "x-uuencode"`},
	}
	for _, tc := range tests {
		r, err := transferDecoder(tc.cte, strings.NewReader(tc.in))
		var got []byte
		if err == nil {
			got, err = io.ReadAll(r)
		}
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		checkText(t, "transferDecoder("+tc.cte+") error", gotErr, tc.err)
		if tc.err == "" && !bytes.Equal(got, []byte(tc.want)) {
			t.Errorf("transferDecoder(%q, %q) = %q, want %q", tc.cte, tc.in, got, tc.want)
		}
	}
}
