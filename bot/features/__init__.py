"""The App's features: one module per feature, each with a gidgethub ``routing.Router`` named
``router`` (composed in ``bot.features.routes``); each handler fetches, decides, writes."""
