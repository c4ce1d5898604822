// Package mailauth is how connectord proves who it is to the mail servers:
// a password read from a file or environment variable, or an OAuth 2.0
// access token from the client-credentials grant (Exchange Online, where
// basic authentication is off), sent as SASL XOAUTH2. IMAP and SMTP share
// one token source, which caches the token, refreshes it before it
// expires, and drops it when a server refuses it.
package mailauth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ReadSecretFile reads a secret from a file: its first line, without the
// line ending. An empty secret is an error.
func ReadSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read secret: %w", err)
	}
	s, _, _ := strings.Cut(string(b), "\n")
	s = strings.TrimRight(s, "\r")
	if s == "" {
		return "", fmt.Errorf("read secret: %s is empty", path)
	}
	return s, nil
}

// Credentials are a username and either a password or a token source.
type Credentials struct {
	Username string
	Password string      // LOGIN / AUTH PLAIN
	Tokens   *TokenCache // XOAUTH2, when not nil
}

// OAuth2Config is the client-credentials grant.
type OAuth2Config struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	Scope        string
}

// expiryDelta is how long before a token's expiry it is replaced.
const expiryDelta = 5 * time.Minute

// NewTokenSource returns a cached, self-refreshing token source for the
// client-credentials grant. ctx carries the HTTP client for token
// requests (oauth2.HTTPClient) and must outlive the source.
func NewTokenSource(ctx context.Context, c OAuth2Config) (*TokenCache, error) {
	if c.TokenURL == "" || c.ClientID == "" || c.ClientSecret == "" {
		return nil, errors.New("oauth2: token_url, client_id and the client secret are all needed")
	}
	cc := &clientcredentials.Config{
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: c.TokenURL,
		AuthStyle: oauth2.AuthStyleInParams,
	}
	if c.Scope != "" {
		cc.Scopes = strings.Fields(c.Scope)
	}
	// cc.Token asks the endpoint every time; the caching is TokenCache's.
	return &TokenCache{fetch: func() (*oauth2.Token, error) { return cc.Token(ctx) }, now: time.Now}, nil
}

// TokenCache hands out one token until expiryDelta before it expires, or
// until a server refuses it (a token issued before the mailbox permission
// was granted, or revoked): then the next caller gets a fresh one. IMAP
// and SMTP share it, safely from several goroutines.
type TokenCache struct {
	fetch func() (*oauth2.Token, error) // asks the token endpoint
	now   func() time.Time

	mu  sync.Mutex
	tok *oauth2.Token
}

// Token returns the cached token, or a new one.
func (c *TokenCache) Token() (*oauth2.Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != nil && (c.tok.Expiry.IsZero() || c.now().Before(c.tok.Expiry.Add(-expiryDelta))) {
		return c.tok, nil
	}
	t, err := c.fetch()
	if err != nil {
		return nil, err
	}
	c.tok = t
	return t, nil
}

// Refused forgets the cached token if it is still access, so the next
// login fetches a new one. A refusal of an older token, already
// replaced, changes nothing.
func (c *TokenCache) Refused(access string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != nil && c.tok.AccessToken == access {
		c.tok = nil
	}
}

// Refused tells the token cache that a server refused the access token.
func (c Credentials) Refused(access string) {
	if c.Tokens != nil {
		c.Tokens.Refused(access)
	}
}

// Token returns a current access token.
func (c Credentials) Token() (string, error) {
	t, err := c.Tokens.Token()
	if err != nil {
		return "", fmt.Errorf("get OAuth 2.0 token: %w", err)
	}
	return t.AccessToken, nil
}
