-- The browser-sandboxes API: the launch template a computer was made from, and the client's metadata
ALTER TABLE computers ADD COLUMN template_id TEXT;
ALTER TABLE computers ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
