package web

import "strings"

// flash is a one-time message shown on the page after a POST.
type flash struct {
	Error bool
	Text  string
}

func (f flash) String() string {
	if f.Text == "" {
		return ""
	}
	if f.Error {
		return "error\t" + f.Text
	}
	return "ok\t" + f.Text
}

func parseFlash(s string) flash {
	kind, text, ok := strings.Cut(s, "\t")
	if !ok {
		return flash{}
	}
	return flash{Error: kind == "error", Text: text}
}

func done(text string) flash { return flash{Text: text} }

func failed(text string) flash { return flash{Error: true, Text: text} }
