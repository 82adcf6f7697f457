"""GitHub's REST description (a vendored subset) and the contract requests are checked against."""
