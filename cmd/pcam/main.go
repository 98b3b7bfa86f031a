// Command pcam runs the PCam memory guide from the command line: generate
// or fetch data, inspect and clean it, train and benchmark models.
//
//	pcam generate --out DIR --n N --seed S [--split train|valid|test]
//	pcam clean --x X.h5 --y Y.h5 --out cleaned.h5 [--batch 50000] [--dark 10] [--bright 245] [--report report.json]
//	pcam info FILE [Y_FILE]
//	pcam fetch --out DIR
//
// Each subcommand only parses flags and calls the exported functions of
// pcamgo's packages, the same ones the notebooks call.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string) error) {
	commands[name] = command{summary, run}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: pcam COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun `pcam COMMAND -h` for a command's flags.")
}

// interrupted is returned when Ctrl-C stopped a command cleanly.
type interrupted struct{ msg string }

func (i interrupted) Error() string { return i.msg }

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	name := os.Args[1]
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "pcam: unknown command %q\n", name)
		usage()
		os.Exit(2)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		if err == errUsage {
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "pcam %s: %s\n", name, strings.TrimSpace(err.Error()))
		if _, ok := err.(interrupted); ok {
			os.Exit(130) // the shell's code for Ctrl-C
		}
		os.Exit(1)
	}
}
