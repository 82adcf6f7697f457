"""Local I/O: the checkout the command runs in and its git history (not GitHub: that is
``bot.github``). Used by the command line, and by any front end that runs in a checkout."""
