// Package inspect is the pure MIME work on one received message: the
// automatic-mail rules, the From check, Authentication-Results, the
// attachment walker that copies the single CSV out byte for byte, the
// filename parameters and the envelope. Inspect reads a message stream and
// writes the CSV to a writer; it knows no IMAP, no database and no CSV
// rules. The ingest package takes messages from the mailbox and records
// what Inspect found; docs/ingest.md explains the design.
//
// # Order of the checks
//
// The caller applies the results in this order, and each step decides
// whether we may answer at all:
//
//  1. Automatic mail (AutomaticReason) is ignored and never answered.
//  2. A From that is not exactly one mailbox, whose address is not ASCII,
//     or whose domain is not in allowed_domains, is rejected without a
//     reply (CheckFrom, SenderAddress).
//  3. With require_authenticated_sender, a sender our own MTA did not
//     authenticate is rejected without a reply (CheckAuthentication).
//  4. Only then is the attachment judged; AttachmentProblem is the one
//     result written for a person, because by now we know who they are.
//
// A message larger than the policy's message limit (its RFC822.SIZE, asked
// for before the body) is never fetched whole: the ingest Poller spools only its
// header section, InspectHeader runs steps 1 to 3 on it, and step 4 says
// the email was too large. So the order, and who may be answered, stay the
// same for it.
//
// # Why we never answer automatic or unauthenticated mail
//
// RFC 3834 section 2 says automatic responders must not answer automatic
// mail, and everything this service sends (a rejection, a results email)
// is an automatic response. Answering a bounce, an out-of-office reply or a
// mailing list starts mail loops; the loop header and our own From
// addresses catch our own mail coming back. Answering a message whose From
// we could not authenticate sends mail to whoever the forger named:
// backscatter, which turns the service into a spam relay and gets its
// domain blocklisted. It would also tell a forger what our checks look
// like. So a rejected sender learns nothing from us; only the log and the
// console say why.
//
// What counts as automatic: an empty return path; Auto-Submitted other
// than "no" (RFC 3834); a multipart/report (delivery and read reports,
// RFC 6522); Precedence bulk, junk or list; our loop header with any value;
// X-Autoreply and X-Autorespond; X-Auto-Response-Suppress naming All, OOF
// or AutoReply; any List-* header (List-Id, List-Unsubscribe, List-Post…:
// RFC 3834 section 2, do not answer lists); Precedence auto_reply; and a
// From that is ours, MAILER-DAEMON, postmaster or Exchange's system
// mailbox. X-Auto-Response-Suppress is a request, not a marker: Exchange
// puts "All" on the out-of-office and other automatic replies it sends
// (which also carry Auto-Submitted), and bulk senders put it on their mail.
// A sender that asks for no out-of-office or automatic replies has asked
// us not to answer, and every answer we send is automatic. DR, NDR, RN and
// NRN only concern receipts and are not counted.
//
// # Why only trusted authserv-ids
//
// An Authentication-Results header (RFC 8601) is plain text: anyone can
// put "dmarc=pass" into a message they send. It means something only when
// our own MTA wrote it, which we tell by its authserv-id, the name at its
// start. Headers with any other authserv-id are ignored, never trusted,
// and so are headers with none (Exchange Online writes its results that
// way, so they cannot be told from a forgery). This is sound only if the
// MTA named in trusted_authserv_ids deletes any Authentication-Results
// header carrying its own authserv-id from incoming mail before adding its
// own, as RFC 8601 section 5 requires; check that your MTA does.
//
// Only the topmost header with a trusted authserv-id is read, and its
// verdict is final (RFC 8601 section 5): the receiving MTA adds its header
// last, above everything that came with the message, so a trusted-looking
// header further down was written by the sender or by a server before
// ours. A "pass" there never outweighs the receiving MTA's "fail"; the
// reason says which headers were ignored.
//
// # Trust is compared in ASCII
//
// Authserv-ids, sender domains, header.from and header.d, our own
// addresses and the roster are compared ASCII-exact: ASCII letters
// lower-cased, then equal. strings.EqualFold and strings.ToLower fold
// Unicode, under which the Kelvin sign (U+212A) is a k and the long s
// (U+017F) an s, so "mx.nhſ.net" would pass for a trusted "mx.nhs.net"
// and "admin@nhſ.net" for an nhs.net address; the receiving MTA strips only
// headers with its exact name, so the look-alike survives to us. An
// authserv-id that is not ASCII is never trusted, and a From address that
// is not ASCII is refused as "not an allowed sender address"
// (SenderAddress, which the roster commands use too). Internationalised
// addresses are refused rather than converted with IDNA, whose mapping
// also turns ſ into s.
//
// A trusted header vouches for the sender when it says dmarc=pass with
// header.from equal to the From domain (or no header.from), or dkim=pass
// with header.d equal to the From domain. SPF alone does not count: it
// authenticates the envelope sender, which the reader never sees. Domains
// must be equal, not merely related, matching allowed_domains, which is an
// exact list too. A message with two From fields is refused before this
// check, because checkers and mail clients disagree on which one counts.
//
// The header is parsed here rather than with go-msgauth's authres.Parse,
// which splits on every ";" without removing comments first: it fails on
// OpenDKIM's usual "(2048-bit key; unprotected)", and a ";" inside a
// comment or quoted string that echoes attacker-chosen text (an envelope
// sender, say) could start a forged "dmarc=pass" result.
//
// # The attachment is copied byte for byte
//
// The CSV goes to the caller's writer after transfer decoding only
// (base64, quoted-printable), never charset conversion: the CSV engine
// decides about encodings, and the hash we record must be the hash of what
// the sender attached. go-message's part reader converts text/* bodies
// with a charset param to UTF-8 as soon as message.CharsetReader is set,
// and that variable is global to the process (importing go-message/charset
// anywhere sets it), so this package walks the MIME tree itself with
// go-message's textproto reader and decodes the transfer encoding itself.
// Nothing is held in memory: the body is hashed while it is copied, and
// copying stops one byte past max_attachment_bytes. Attachment names lose
// control and format characters (Unicode Cf: a right-to-left override
// would make "Staff\u202Evsc.exe" look like "Staffexe.csv") before they are
// stored or shown. Header blocks are
// limited to 1 MiB each and nesting to 10 levels, so a hostile message
// cannot make Inspect use much memory either.
package inspect
