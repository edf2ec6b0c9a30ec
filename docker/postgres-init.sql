-- Run once by the postgres image on a new volume (docker-entrypoint-initdb.d), as the owner.
-- claimgraph_app: the role every request switches to (the migrations grant it what it may do).
-- claimgraph_api: what the API logs in as; no superuser, owns nothing, may only become claimgraph_app,
-- so not even RESET ROLE inside a request reaches more than the app role may.
-- claimgraph_public (public fact-check pages) and claimgraph_webhooks (the delivery worker) likewise.
CREATE ROLE claimgraph_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE claimgraph_public NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE claimgraph_webhooks NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE claimgraph_api LOGIN PASSWORD 'claimgraph-api' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
GRANT claimgraph_app, claimgraph_public, claimgraph_webhooks TO claimgraph_api;
