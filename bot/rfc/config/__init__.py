"""The project configuration engine: ``.github/rfc-bot.yml`` read into a ``Config``.

Every caller imports ``bot.rfc.config.public``, the one public face: ``Config`` and its
values, ``load_config``, ``ConfigError``, the defaults, the schema and the key table.

One exception, for the engine's low modules (the rules' ``base``, ``paths``, ``workflow``,
``template``): the face binds the rule registry (the ids ``rules:`` may name), and the
registry imports those modules, so they import ``Config`` from ``bot.rfc.config.fields``, the
field table, which knows nothing of the registry. This file stays empty of imports for the
same reason: importing any module of the package runs it first.

Inside: ``fields`` (the table, one declaration per key); the value kinds it is declared with
(``kinds``, ``scalar_kinds``, ``collection_kinds``, ``sections``); ``problems``; and what the
table drives (``yaml_file``, ``json_schema``, ``markdown``). ``python3 -m bot.rfc.config
schema|keys`` prints docs/rfc-bot.schema.json or the key table of docs/config.md.
"""
