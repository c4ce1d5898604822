// Package pushfile reads, checks and answers push-connector files: the CSV
// files of user accounts that local administrators send, usually saved from
// Excel.
//
// # Reading
//
// Open takes the spooled file as an io.ReadSeeker and reads it twice. The
// first pass is cheap: it rejects files that are not text (an .xlsx or zip,
// an old .xls, a PDF, anything with NUL bytes or characters, UTF-16 without
// a byte order mark, UTF-32), counts the lines, and picks the encoding:
// UTF-8 with or without a byte order mark; Windows-1252 when the bytes are
// not valid UTF-8; UTF-16 LE or BE with a byte order mark. The second pass
// decodes and parses the file as a stream, one row at a time, so memory does
// not grow with the file (except for 16 to 32 bytes per Local ID, see
// below). The one exception is a single enormous record, such as a quoted
// cell never closed: encoding/csv holds a record whole.
//
// The delimiter is a comma, or a semicolon when the header line has
// semicolons and no comma (European Excel). Beyond the brief: a header with
// only tabs means tab-separated (Excel's "Unicode Text", its usual way to
// save UTF-16); a first line "sep=;" (written by some tools for Excel) names
// the delimiter and is skipped; a file whose lines end in a lone CR (Excel's
// old "CSV (Macintosh)") is read as if they ended in LF. Quoting follows RFC
// 4180, strictly. A record the strict parser rejects is read again with
// spaces allowed before an opening quote (`Smith, "Jones"`, common in
// hand-made files); if that reads cleanly the row is accepted. (Setting
// csv.Reader.TrimLeadingSpace on every record instead would cost the hot
// path and lose the leading spaces of the cells.)
//
// A row the CSV parser rejects (a stray quote mark, say) is returned as an
// INVALID row with a message saying what to fix, and reading goes on with
// the next record. Its cells are split again leniently so the results can
// still show them. An unclosed quote swallows the rest of the file into
// that one row; the message says up to which line.
//
// Line numbers are physical lines of the file, the header being line 1,
// also when quoted cells span lines. Blank lines before the header are
// skipped (the header is then on a later line). Rows whose cells are all
// blank are skipped silently.
//
// # Header
//
// Column names match ignoring case, spaces, '_' and '-', in any order. The
// format is decided by the columns only one format has: Local ID,
// Organisation, OfficePhone... for the new format; Unique ID, Organisation
// Code, Department, Telephone, GP Practice Code... for NHSmail 1. A header
// with both kinds, or with no known column at all, is in neither format. A
// header with only columns both formats share (FirstName, LastName...) is
// taken as the new format, so the missing columns are named. Blank header
// cells are allowed (Excel leaves them after the last column); a value
// under one makes its row INVALID.
//
// Open reports every problem of the header at once in one *FileError:
// missing mandatory columns, unknown columns (with the nearest known name),
// repeated columns (named by their spreadsheet letters), a header in neither
// format, no data rows. Each message is one line a person can act on.
//
// # Rows
//
// Cells are trimmed; one leading apostrophe is removed from every cell (the
// results writer adds one against CSV injection, so results round-trip; a
// name that really starts with an apostrophe loses it). Problems are
// reported as "Column: problem", in header order, joined by "; ". Column is
// the canonical name of the column in the file's format: "Local ID" in a
// new file, "Unique ID" in a NHSmail 1 file (see Reader.ColumnName).
//
// Choices made where the rules are silent:
//
//   - Names and job titles: a line break or tab inside the cell (Alt+Enter in
//     Excel) counts as white space and is collapsed with the rest; other
//     control characters make the row INVALID. In other fields any control
//     character, line breaks included, is a problem.
//   - Characters the decoder could not read (U+FFFD) are a problem in names,
//     job titles and Local IDs, and so is a '?' in a name (what a
//     Windows-1252 save writes for a letter it cannot hold). A name, job
//     title or Local ID that is UTF-8 read as Windows-1252 and saved as
//     UTF-8 again ("ZoÃ«") is a problem whose message shows the repaired
//     text: see undoMojibake for the exact test. A UTF-8 file with a byte order mark but
//     invalid bytes is decoded as UTF-8 with replacement, not as
//     Windows-1252: the mark shows what the sender meant.
//   - Local IDs repeat when they are equal ignoring case. Only a 64-bit hash
//     of each (hash/maphash, seeded per Reader) and its first line are kept;
//     two different IDs share a hash with odds of about n²/2⁶⁵ for n rows (3
//     in 10¹⁰ for 100,000 rows); the later row would then be wrongly
//     reported as a duplicate, which the sender can see.
//   - Title ignores a trailing full stop ("Dr." is "Dr"). Multi-valued pick
//     lists are split on commas only; empty items are ignored.
//   - EmailSize may end in "GB" ("4GB", "4 GB") and have leading zeros; the
//     value becomes the plain number.
//   - A telephone number must contain a digit ("-" or "n/a" as "none" are
//     problems: leave the cell blank). No-break spaces count as spaces. A
//     UK number a spreadsheet stripped of its leading 0 (10 digits starting
//     1-9) or + (12 digits starting 44) is kept as it is, with a warning
//     (Row.Warnings): the row stays valid.
//   - Password letters are any upper- or lower-case letters (AD counts
//     European letters); other characters are allowed but count in no
//     category. Its value never appears in a message or in the results.
//   - OrganisationUnit is upper-cased and must be 'D' then letters and digits.
//   - NHSmail 1 files: Department, free text there, maps to
//     OrganisationUnit only when it looks like a unit code (D, letters and
//     digits, at least one digit); any other value is ignored with a note,
//     and the row has no unit. GP Practice Code is no longer
//     managed (guide 5.3: practices are now organisations): it stands in
//     for a blank Organisation Code, and a note says so; when both are
//     filled in and differ, Organisation Code is used and a note says GP
//     Practice Code was ignored. The other columns the guide lists as no
//     longer managed get a note when not blank. Notes go into Detail after
//     what processing says, whatever the row's result.
//   - A row with more non-blank cells than the header has columns is INVALID;
//     blank extra cells (trailing delimiters) are ignored.
//
// # Results
//
// ResultsWriter echoes each row as it was sent, with the Password cell
// emptied and the result columns Result, Detail, EmailAddress and
// GeneratedPassword appended (replacing those of a re-sent results file).
// It writes UTF-8 with a byte order mark and CRLF, in the input's delimiter
// (a comma for tab-separated input). A cell holding a comma, semicolon,
// tab, quote mark or line break is quoted whatever the delimiter, since a
// spreadsheet splits on its own list separator. Any cell whose first
// character after spaces and line feeds is = + - @ (or full-width ＝ ＋ － ＠),
// tab, CR or an apostrophe gets a leading apostrophe, except
// telephone-shaped values in telephone columns. Cells of a row beyond
// the header are not echoed; missing ones are written blank. Line breaks
// inside a cell are written as they were read.
//
// For speed, a row that needs none of this (one cell per column, no
// password, nothing to escape, no separator but the file's own, parsed
// strictly) is echoed from its own text as received rather than
// re-encoded; reading the results back gives the same cells either way.
package pushfile
