// Compiles src/main/solidity/*.sol with solc's standard-JSON interface (npm solc, no binary download), pinned to
// the EVM version the chains run (the solcjs command line cannot set it), and writes NAME.abi and
// NAME.bin per contract into the output folder for web3j's wrapper generator.
// Usage: node scripts/compile-contracts.js SOURCE_DIR OUT_DIR
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const [sourceDir, outDir] = process.argv.slice(2);
const sources = {};
for (const f of fs.readdirSync(sourceDir).filter((f) => f.endsWith('.sol')).sort()) {
  sources[f] = { content: fs.readFileSync(path.join(sourceDir, f), 'utf8') };
}
const input = {
  language: 'Solidity',
  sources,
  settings: {
    evmVersion: 'shanghai',
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length > 0) process.exit(1);
fs.mkdirSync(outDir, { recursive: true });
for (const file of Object.keys(output.contracts)) {
  for (const [name, contract] of Object.entries(output.contracts[file])) {
    if (!contract.evm.bytecode.object) continue; // an interface: nothing to deploy, no wrapper
    fs.writeFileSync(path.join(outDir, name + '.abi'), JSON.stringify(contract.abi));
    fs.writeFileSync(path.join(outDir, name + '.bin'), contract.evm.bytecode.object);
    console.log('compiled ' + name + ' (solc ' + solc.version() + ', evm shanghai)');
  }
}
