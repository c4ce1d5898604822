package activedirectory

import "testing"

func TestUnicodePwd(t *testing.T) {
	// "Ab1" in quotes, UTF-16LE: the form AD documents for unicodePwd.
	want := "\x22\x00A\x00b\x001\x00\x22\x00"
	if got := unicodePwd("Ab1"); got != want {
		t.Errorf("unicodePwd(Ab1) = %q, want %q", got, want)
	}
	// A character outside the BMP takes a surrogate pair.
	if got := unicodePwd("😀"); got != "\x22\x00\x3d\xd8\x00\xde\x22\x00" {
		t.Errorf("unicodePwd(😀) = %q", got)
	}
}
