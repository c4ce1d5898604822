package web

import (
	"encoding/json"
	"html/template"
	"strconv"
	"strings"
	"time"

	"connectord/provision"
)

func itoa(n int) string { return strconv.Itoa(n) }

// statusCount is how many rows got one status.
type statusCount struct {
	Status string
	N      int
}

// parseCounts reads a counts JSON object ({"PROCESSED_NEW":3,...}) into
// report order, leaving out zeros.
func parseCounts(s string) []statusCount {
	var m map[string]int
	if s == "" || json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return orderCounts(func(st provision.Status) int { return m[string(st)] })
}

func countsOf(c provision.Counts) []statusCount {
	return orderCounts(func(st provision.Status) int { return c[st] })
}

func orderCounts(get func(provision.Status) int) []statusCount {
	var out []statusCount
	for _, st := range provision.Statuses() {
		if n := get(st); n > 0 {
			out = append(out, statusCount{string(st), n})
		}
	}
	return out
}

func templateFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		// when formats a time in the batch time zone.
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2 Jan 2006 15:04")
		},
		"duration": func(from, to time.Time) string {
			if from.IsZero() || to.IsZero() || to.Before(from) {
				return ""
			}
			return to.Sub(from).Round(time.Second).String()
		},
		"join": strings.Join,
		"lines": func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, "\n")
		},
		"stateTag":  stateTag,
		"resultTag": resultTag,
		"meaning":   func(s string) string { return provision.Status(s).Meaning() },
		"remaining": remaining,
		"bytes":     byteSize,
		"sub":       func(a, b int) int { return a - b },
		"add":       func(a, b int) int { return a + b },
		"navItem": func(v view, key, href, label string) navLink {
			return navLink{Key: key, Href: href, Label: label, Current: v.Nav == key}
		},
		"navCount": func(l navLink, n int, words string) navLink {
			l.Count, l.CountWords = n, words
			return l
		},
		"plural":         plural,
		"list":           func(s ...string) []string { return s },
		"add0":           func(a, b float64) float64 { return a + b },
		"sub0":           func(a, b float64) float64 { return a - b },
		"stateWords":     stateWords,
		"mailKindWords":  mailKindWords,
		"mailStateWords": mailStateWords,
		"actionWords":    actionWords,
		"runStateWords":  runStateWords,
		"runStateTag":    runStateTag,
	}
}

// stateTag is the NHS.UK tag colour of a submission, run or mail state.
func stateTag(state string) string {
	switch state {
	case "held", "pending", "running", "sending":
		return "nhsuk-tag--yellow"
	case "accepted":
		return "nhsuk-tag--blue"
	case "processed", "sent", "done":
		return "nhsuk-tag--green"
	case "rejected", "failed":
		return "nhsuk-tag--red"
	}
	return "nhsuk-tag--grey"
}

// resultTag is the NHS.UK tag colour of a row's result.
func resultTag(status string) string {
	switch provision.Status(status) {
	case provision.New, provision.Updated:
		return "nhsuk-tag--green"
	case provision.NoChange, provision.Contact:
		return "nhsuk-tag--grey"
	case provision.Duplicate, provision.Leaver:
		return "nhsuk-tag--orange"
	case provision.Invalid, provision.Denied:
		return "nhsuk-tag--red"
	}
	return "nhsuk-tag--grey"
}

// upperFirst capitalises an error's first letter to show it as a sentence.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// navLink is one item of the header's navigation.
type navLink struct {
	Key, Href, Label string
	Current          bool
	Count            int // shown beside the label when not 0
	CountWords       string
}

// asciiLower lower-cases ASCII letters only, as the roster keys
// addresses: Unicode lower-casing would make the Kelvin sign (U+212A) a k.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
