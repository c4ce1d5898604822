// Package ingest takes every message from the connector mailbox exactly
// once and decides what it is: automatic mail to ignore, a sender to
// refuse, or a submission whose single CSV attachment is copied out byte
// for byte. The Poller streams each batch into a spool segment made
// durable before the Recorder commits the batch's dispositions, and moves
// the server copies only after that commit is on disk; docs/ingest.md
// explains the design and what a crash at each step leaves.
//
// What a message is (automatic, its sender, its authentication, its
// attachment) is decided by package inspect, which knows no IMAP and no
// database; this package holds the IMAP poller and its connection, the
// recording of dispositions with the replies they send, and the review of
// held files.
package ingest
