-- Started by tests/neovim.rs: set up `marathon-lint lsp` with README's
-- snippet for Neovim 0.7 and later (the file MARATHON_LINT_NVIM_SETUP, with
-- the binary under test for `marathon-lint`), open one file, wait for its
-- diagnostics and write them as JSON, then quit. Any error is written too,
-- and ends Neovim at once: a headless Neovim with an error would wait for
-- input until the test's deadline.
local out = os.getenv("MARATHON_LINT_NVIM_OUT")
local target = os.getenv("MARATHON_LINT_NVIM_FILE")

local function finish(result, status)
  local version = vim.version()
  result.nvim = version.major .. "." .. version.minor .. "." .. version.patch
  local file = assert(io.open(out, "w"))
  file:write(vim.json.encode(result))
  file:close()
  vim.cmd(status == 0 and "qa!" or "cquit " .. status)
end

local function check()
  -- The file is opened once startup is over, as a user would open it: only
  -- then is filetype detection on, which the snippet's autocommand needs.
  vim.cmd("edit " .. vim.fn.fnameescape(target))
  local buf = vim.api.nvim_get_current_buf()
  local found = vim.wait(30000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 50)
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    -- Older releases keep the LSP fields under user_data.lsp.
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(diagnostics, {
      code = d.code or lsp.code,
      lnum = d.lnum,
      col = d.col,
      source = d.source,
      severity = d.severity,
    })
  end
  -- The last error message, if an autocommand failed along the way.
  local result = { found = found, filetype = vim.bo[buf].filetype, diagnostics = diagnostics }
  result.errmsg = vim.v.errmsg
  finish(result, 0)
end

local function guarded(f)
  local ok, err = xpcall(f, debug.traceback)
  if not ok then
    finish({ error = tostring(err) }, 3)
  end
end

guarded(function()
  dofile(os.getenv("MARATHON_LINT_NVIM_SETUP"))
end)
vim.api.nvim_create_autocmd("VimEnter", {
  -- Nested: the file's own autocommands (filetype detection) must run.
  nested = true,
  callback = function()
    guarded(check)
  end,
})
