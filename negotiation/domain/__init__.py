"""The bargaining domain: the Negotiation aggregate, its parts, and the rules that refuse acts."""
