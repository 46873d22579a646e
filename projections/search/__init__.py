"""The search read model: merchants and listings, French full text, geo, filters, facets."""
