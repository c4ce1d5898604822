package inspect

import (
	"path"
	"strings"
)

// lookalike is a kind of file people send instead of a CSV, with what to do.
type lookalike struct {
	what, advice string
}

var (
	spreadsheet = func(what string) lookalike {
		return lookalike{what, `Open it in your spreadsheet program, save it as "CSV (Comma delimited) (*.csv)" and attach the .csv file.`}
	}
	archive = func(what string) lookalike {
		return lookalike{what, "Attach the .csv file itself, not compressed."}
	}
	tnef  = lookalike{"an Outlook rich-text envelope (winmail.dat)", "Send the email in HTML or plain-text format, not Rich Text, with the .csv file attached."}
	smime = lookalike{"an encrypted or signed (S/MIME) email", "Send the email without encryption, with the .csv file attached."}

	lookalikeExt = map[string]lookalike{
		".xlsx":    spreadsheet("an Excel workbook"),
		".xlsm":    spreadsheet("an Excel workbook"),
		".xlsb":    spreadsheet("an Excel workbook"),
		".xltx":    spreadsheet("an Excel template"),
		".xls":     spreadsheet("an Excel 97-2003 workbook"),
		".ods":     spreadsheet("an OpenDocument spreadsheet"),
		".numbers": spreadsheet("a Numbers spreadsheet"),
		".zip":     archive("a zip archive"),
		".7z":      archive("a 7-Zip archive"),
		".rar":     archive("a RAR archive"),
		".gz":      archive("a gzip-compressed file"),
		".p7m":     smime,
	}
	lookalikeType = map[string]lookalike{
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": spreadsheet("an Excel workbook"),
		"application/vnd.ms-excel":                       spreadsheet("an Excel workbook"),
		"application/vnd.ms-excel.sheet.macroenabled.12": spreadsheet("an Excel workbook"),
		"application/vnd.oasis.opendocument.spreadsheet": spreadsheet("an OpenDocument spreadsheet"),
		"application/zip":                                archive("a zip archive"),
		"application/x-zip-compressed":                   archive("a zip archive"),
		"application/x-zip":                              archive("a zip archive"),
		"application/x-7z-compressed":                    archive("a 7-Zip archive"),
		"application/gzip":                               archive("a gzip-compressed file"),
		"application/x-gzip":                             archive("a gzip-compressed file"),
		"application/ms-tnef":                            tnef,
		"application/vnd.ms-tnef":                        tnef,
		"application/pkcs7-mime":                         smime,
		"application/x-pkcs7-mime":                       smime,
	}
)

// lookalikeOf says whether an attachment is a spreadsheet, archive or
// envelope sent instead of a CSV. The name decides first: a file named
// .xlsx is a workbook whatever its Content-Type says.
func lookalikeOf(mediaType, name string) (lookalike, bool) {
	if strings.EqualFold(name, "winmail.dat") {
		return tnef, true
	}
	if l, ok := lookalikeExt[strings.ToLower(path.Ext(name))]; ok {
		return l, true
	}
	l, ok := lookalikeType[mediaType]
	return l, ok
}
