"""The command line: ``main`` defines the click commands, loads the inputs once, calls the
stages in order (render → lint → validate → plan → apply → drift → report) and is the only
place that turns an error into an exit code; ``progress`` shows running operations (a rich
live table, or plain lines when not a TTY). Nothing below this package prints or exits."""
