// Package directoryfile reads and writes the operator's CSV files: the
// organisation registry (Organisation,Name,CreationLimit,OrganisationUnits)
// and the Mailbox Report (the directory, one row per mailbox or contact).
// Both are read with the push-file decoder (UTF-8 with or without BOM,
// Windows-1252, UTF-16 with BOM, comma or semicolon) and written as UTF-8
// with BOM and CRLF, with formula-like cells quoted for Excel, so an export
// opened in Excel and saved again imports unchanged.
package directoryfile
