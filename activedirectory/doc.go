// Package activedirectory is connectord's client for Active Directory over
// LDAP: it finds accounts by Local ID, creates users with their initial
// password, changes the fields connectord manages, and exports every user
// and contact. It knows nothing of push files or connectord's store: it
// speaks in Entry, NewUser and Values, and the caller maps them.
//
// The security model:
//   - Only encrypted connections: ldaps://, or ldap:// with StartTLS before
//     the bind. Config.Validate refuses a configuration that would send the
//     bind password, or a new user's password, in clear. The server's
//     certificate is checked against CAFile (or the system's roots) and the
//     URL's host name.
//   - The bind password is read from a file or an environment variable when
//     dialling and is never logged; nor is any user's password. Errors name
//     the file, never its contents.
//   - Every operation has a deadline (Config.Timeout): the request, each
//     write to the socket and the TLS handshake. A stalled server fails the
//     operation; it cannot hang the caller. A cancelled context closes the
//     connection, failing what is in flight.
//
// Active Directory's own rules that shape the API: a new user's password is
// set in the same add as the account where the server allows it (one round
// trip, and a refused password leaves nothing behind); sAMAccountName is
// unique in the domain and at most 20 characters; cn is unique in its OU;
// the attribute holding the Local ID is not unique in AD (two entries may
// carry one), so lookups return every entry found.
package activedirectory
