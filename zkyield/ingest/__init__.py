"""Read a fund's book and its prices from an Ethereum JSON-RPC node at two pinned blocks (docs/ingest.md).

``rpc`` speaks JSON-RPC (batched) and records every call for the provenance file; ``feeds`` reads Chainlink;
``erc``, ``uniswap`` and ``aave`` read one protocol each; ``portfolio`` and ``market`` assemble the statement
files; ``provenance`` writes them atomically beside their provenance and refuses a reorg.
"""
