package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"

	"connectord/config"
	"connectord/pushfile"
	"connectord/store"
)

// Exit codes shared by the commands.
const (
	exitOK       = 0
	exitFailure  = 1 // an operational error, or (validate) invalid rows
	exitUnusable = 2 // a file that cannot be used at all; also bad usage
	exitNoSender = 3 // process: the sender is not on the Connector roster
)

// exitError carries a command's exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

// usageError is a command used wrongly; help follows the message.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// app is what every command gets: the streams, the global flags and, once
// loaded, the configuration.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configPath     string
	dbPath         string
	cfg            config.Config
	log            *slog.Logger
	hooks          hooks
	oauth          tokenSource
}

// hooks are crash points for kill tests; the program itself sets none.
type hooks struct {
	afterSpool, afterRecord, afterFile, afterHandOff, afterPurge, afterApply func()
	afterRecordRow                                                           func(store.JournalRecord)
	afterAdd                                                                 func(dn string)
}

type command struct {
	name    string
	summary string
	usage   string
	run     func(ctx context.Context, a *app, args []string) error
}

func commands() []command {
	return []command{
		{"validate", "check a push file offline, as the Portal's Validate step does", validateUsage, runValidate},
		{"process", "apply one push file for a sender now, writing the results file", processUsage, runProcess},
		{"org", "import or list organisations (codes, units, creation limits)", orgUsage, runOrg},
		{"senders", "add, list or remove addresses on the Connector roster", sendersUsage, runSenders},
		{"directory", "import or export the directory as a Mailbox Report", directoryUsage, runDirectory},
		{"poll", "take the messages waiting in the connector mailbox now", pollUsage, runPoll},
		{"submissions", "list or show received messages and their dispositions", submissionsUsage, runSubmissions},
		{"review", "list, approve or reject first-time senders' held files", reviewUsage, runReview},
		{"batch", "start a run of the batch now, or list and show the runs", batchUsage, runBatch},
		{"outbox", "list, retry or send the mail connectord has queued", outboxUsage, runOutbox},
		{"users", "add, list or disable the web console's accounts", usersUsage, runUsers},
		{"serve", "run the daemon: mailbox, the daily batch, outbox, health and console", serveUsage, runServe},
		{"show", "print a CSV file (results, push file, report) as a table", showUsage, runShow},
		{"bench", "measure validate and process on generated data", benchUsage, runBench},
		{"version", "print which build this is", "connectord version", runVersion},
		{"help", "show help for a command", "connectord help [COMMAND]", runHelp},
	}
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runApp(ctx, &app{stdin: stdin, stdout: stdout, stderr: stderr}, args)
}

func runApp(ctx context.Context, a *app, args []string) int {
	stderr, stdout := a.stderr, a.stdout
	global := flag.NewFlagSet("connectord", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	a.globalFlags(global)
	if err := global.Parse(args); err != nil {
		fmt.Fprintf(stderr, "connectord: %v\n%s", err, mainUsage())
		return exitUnusable
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, mainUsage())
		return exitUnusable
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == rest[0] {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "connectord: unknown command %q (run 'connectord help')\n", rest[0])
		return exitUnusable
	}
	err := cmd.run(ctx, a, rest[1:])
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "usage: %s\n", cmd.usage)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "connectord %s: %s\nusage: %s\n", cmd.name, ue.msg, cmd.usage)
		return exitUnusable
	case errors.As(err, &ee):
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(stderr, "connectord %s: %s\n", cmd.name, oneLine(ee.err))
		}
		return ee.code
	default:
		fmt.Fprintf(stderr, "connectord %s: %s\n", cmd.name, oneLine(err))
		return exitFailure
	}
}

// oneLine keeps an error to one line for the terminal.
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

func (a *app) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&a.configPath, "config", a.configPath, "configuration `FILE` (default ./connectord.yaml if present)")
	fs.StringVar(&a.dbPath, "db", a.dbPath, "database `PATH` (default DATA_DIR/connectord.db, ./var/connectord.db)")
}

// parse parses a command's flags, allowing flags after positional
// arguments ("senders add ADDR -org X"), and the global flags anywhere.
func (a *app) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	a.globalFlags(fs)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if err := a.loadConfig(); err != nil {
		return nil, err
	}
	return pos, nil
}

// loadConfig reads -config (or ./connectord.yaml when present) and sets up
// logging.
func (a *app) loadConfig() error {
	cfg := config.Defaults()
	path := a.configPath
	if path == "" {
		if _, err := os.Stat("connectord.yaml"); err == nil {
			path = "connectord.yaml"
		}
	}
	if path != "" {
		var err error
		if cfg, err = config.Load(path); err != nil {
			return err
		}
	}
	a.cfg = cfg
	if a.dbPath == "" {
		a.dbPath = cfg.DatabasePath()
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		a.log = slog.New(slog.NewJSONHandler(a.stderr, opts))
	} else {
		a.log = slog.New(slog.NewTextHandler(a.stderr, opts))
	}
	return nil
}

// openStore opens (creating) the database; the outbox's Message-IDs end
// in the domain of smtp.from.
func (a *app) openStore(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, a.dbPath, store.MessageIDDomain(a.messageIDDomain()))
}

// picklists loads the configured pick lists.
func (a *app) picklists() (*pushfile.Picklists, error) {
	p := a.cfg.Directory.Picklists
	return pushfile.LoadPicklists(pushfile.PicklistPaths{
		Title: p.Title, ClinicalRole: p.ClinicalRole, ClinicalSpeciality: p.ClinicalSpeciality, WorkArea: p.WorkArea,
	})
}

// readOptions is how files are read: the configured pick lists and, when
// the database has organisations, the registry. A missing database is
// fine (organisation codes are then only checked for shape).
func (a *app) readOptions(ctx context.Context, st *store.Store) (pushfile.Options, error) {
	lists, err := a.picklists()
	if err != nil {
		return pushfile.Options{}, err
	}
	opts := pushfile.Options{Picklists: lists}
	if st == nil {
		return opts, nil
	}
	reg, err := st.Registry(ctx)
	if err != nil {
		return pushfile.Options{}, err
	}
	if reg.Len() > 0 {
		opts.Registry = reg
	}
	return opts, nil
}

// openInput opens a file named on the command line ("-" is not accepted:
// files are read twice, to detect their encoding).
func openInput(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, exitWith(exitUnusable, fmt.Errorf("cannot open %s: %w", path, errors.Unwrap(err)))
	}
	return f, nil
}

// operatorName is who a command-line change is recorded as: the -by flag,
// else the login name.
func operatorName(by string) string {
	if by = strings.TrimSpace(by); by != "" {
		return by
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "operator"
}
