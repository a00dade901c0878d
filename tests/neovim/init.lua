-- Started by tests/neovim.rs: open one file, attach `marathon-lint lsp` to
-- it, wait for its diagnostics and write them as JSON, then quit.
-- vim.lsp.start_client and buf_attach_client exist from Neovim 0.7 (what
-- Debian bookworm ships) on; vim.lsp.start would need 0.8.
local bin = os.getenv("MARATHON_LINT_BIN")
local out = os.getenv("MARATHON_LINT_NVIM_OUT")
local target = os.getenv("MARATHON_LINT_NVIM_FILE")

vim.cmd("edit " .. vim.fn.fnameescape(target))
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "marathon-lint",
  cmd = { bin, "lsp" },
  root_dir = vim.fn.fnamemodify(target, ":p:h"),
})
vim.lsp.buf_attach_client(buf, client_id)

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
local version = vim.version()
local file = assert(io.open(out, "w"))
file:write(vim.json.encode({
  found = found,
  nvim = version.major .. "." .. version.minor .. "." .. version.patch,
  diagnostics = diagnostics,
}))
file:close()
vim.cmd("qa!")
