package web

import (
	"embed"
	"io/fs"
	"net/http"
)

// nhsukFiles is the NHS.UK frontend, copied into assets/nhsuk by
// scripts/console-assets.sh before the build; the directory always holds a
// .keep file, so the binary builds (and serves plain pages) without it.
//
//go:embed all:assets/nhsuk
var nhsukFiles embed.FS

// staticFiles are the console's own styles.
//
//go:embed static
var staticFiles embed.FS

// nhsukStylesheet is the file the pages link to when it is present.
const nhsukStylesheet = "nhsuk-frontend.min.css"

func nhsukFS() fs.FS {
	sub, err := fs.Sub(nhsukFiles, "assets/nhsuk")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// nhsAssetsPresent reports whether the NHS.UK stylesheet was embedded.
func nhsAssetsPresent() bool {
	_, err := fs.Stat(nhsukFS(), nhsukStylesheet)
	return err == nil
}

// assetHandler serves embedded files with a day's caching; the .keep
// placeholder and directory listings are not served.
func assetHandler(prefix string, files fs.FS) http.Handler {
	fileServer := http.StripPrefix(prefix, http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path[len(prefix):]
		if st, err := fs.Stat(files, name); err != nil || st.IsDir() || name == ".keep" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(w, r)
	})
}

func staticFS() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err)
	}
	return sub
}
