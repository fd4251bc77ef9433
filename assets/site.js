// Progressive enhancement only: the site works without it.
