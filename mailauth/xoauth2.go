package mailauth

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrTokenRefused is the server's refusal of an XOAUTH2 token.
var ErrTokenRefused = errors.New("XOAUTH2 token refused")

// XOAUTH2 is a SASL client for the XOAUTH2 mechanism (Microsoft and Google
// mail servers): the initial response carries the user and the bearer
// token. It satisfies go-sasl's sasl.Client.
type XOAUTH2 struct {
	Username string
	Token    string
}

// Start returns the mechanism and the initial response
// "user=<user>^Aauth=Bearer <token>^A^A".
func (x *XOAUTH2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.Username + "\x01auth=Bearer " + x.Token + "\x01\x01"), nil
}

// Next answers a challenge. XOAUTH2 servers send one only to report an
// error (a JSON object); the client answers with an empty response and the
// server then fails the exchange.
func (x *XOAUTH2) Next(challenge []byte) ([]byte, error) {
	var e struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(challenge, &e) == nil && e.Status != "" {
		return []byte{}, fmt.Errorf("%w (status %s)", ErrTokenRefused, e.Status)
	}
	return []byte{}, nil
}
