// Package provision decides what each row of a push file does to the
// directory and applies it: the statuses of the guide's section 3.2
// (PROCESSED_NEW, PROCESSED_UPDATED, PROCESSED_NOCHANGE, PROCESSED_CONTACT,
// PROCESSED_DUPLICATE, PROCESSED_LEAVER, INVALID, ACCESS_DENIED) and the
// organisations' creation limits (section 2).
//
// Rows are taken in file order and applied through one store.DirectoryTx,
// so a whole file commits or nothing of it does. The caller owns the
// transaction: the batch commits the directory changes together
// with the submission's state and its results email.
//
// connectord's directory stores no password, plain or hashed: an initial
// password (supplied in the file, or generated) goes to the sender in the
// results file only; a real deployment hands it to the mail platform.
package provision
