-- Who a browser computer appears to be (timezone, languages, geolocation, screen; ADR 0037), as JSON: a restart
-- takes it over with the identity it was launched with. Null for desktops and computers from before.
ALTER TABLE computers ADD COLUMN identity TEXT;
