# Provider features beyond the config's allow-lists (providers.<name>.allowed_betas and
# allowed_server_tools): data.teams[team].allow_betas and .allow_server_tools let one team use
# an `anthropic-beta` or a server-side tool (web_search, code_execution, mcp_servers…) that
# the gateway refuses to everyone else. The gateway still refuses anything neither allows.
package gateway

allow_betas contains b if some b in data.teams[input.key.team].allow_betas

allow_server_tools contains t if some t in data.teams[input.key.team].allow_server_tools

reasons contains $"features: team '{input.key.team}' may use more betas or server tools" if {
	some x in array.concat(input.request.betas, input.request.server_tools)
	x in (allow_betas | allow_server_tools)
}
