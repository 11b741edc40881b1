"""What every stage shares and nothing else: the error types and their exit codes
(``errors``), the one boto3 factory with its single retry layer and call counter (``aws``), the
Ctrl-C flag that stops new operations (``interrupt``) and plurals for messages (``words``).
It imports nothing from the other subpackages, so any of them may import it."""
