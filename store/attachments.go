package store

import (
	"encoding/json"
	"fmt"
)

// namesJSON is the attachments column: a JSON array of names.
func namesJSON(names []string) (string, error) {
	if len(names) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(names)
	if err != nil {
		return "", fmt.Errorf("attachment names: %w", err)
	}
	return string(b), nil
}

func parseNames(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var names []string
	if err := json.Unmarshal([]byte(s), &names); err != nil {
		return nil, err
	}
	return names, nil
}
