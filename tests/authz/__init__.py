"""The machinery of the authorization matrix; the expectations themselves are the tables of
tests/test_authorization_matrix.py.

- `world`: the viewers and what they look at (the Loire demo, loaded once per module);
- `cells`: every URL pattern of the resolver, what a cell expects, how a cell is checked;
- `scenarios`: for each row, its URL, a write that succeeds when allowed, and its effect;
- `admin`: which rule covers each admin pattern, and its URL.
"""
