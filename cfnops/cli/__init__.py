"""The command line, one module per command family (as sceptre/cli/): ``build`` (render,
check, lint, validate), ``plan``, ``deploy`` (deploy, copy-tables), ``lifecycle`` (status,
bootstrap, destroy), ``drift`` (drift, parity). ``options`` declares the shared options once,
``context`` gives commands the project (loaded once) and AWS; ``main`` assembles the group and
is the only place that turns an error into an exit code; ``progress`` shows running
operations (a rich live table, or plain lines when not a TTY). Nothing below this package
prints or exits."""
