// Runs the replica-set Job's mongosh script (argv[2]) under node against a simulated set, scenario in argv[3] (JSON):
// {config: null | {_id, version, members: [{_id, host}]}, pods: {host: "fresh" | "stale" | "down"}}.
// Prints one JSON line: {ok, error, config, log, commands}. Only what the script uses of mongosh is simulated.
const fs = require('fs');
const vm = require('vm');
const script = fs.readFileSync(process.argv[2], 'utf8');
const scenario = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
let config = scenario.config;
const pods = scenario.pods;
const log = [];
const commands = [];
function fail(codeName, message) {
  const e = new Error(message);
  e.codeName = codeName;
  return e;
}
function member(host) {
  return config !== null && config.members.some(m => m.host === host);
}
function connect(uri) {
  const m = uri.match(/^mongodb:\/\/admin:p%2F%26%3F@([^/]+)\/admin\?authSource=admin&serverSelectionTimeoutMS=10000&(.*)$/);
  if (!m) throw new Error('unexpected URI ' + uri);
  const seeds = m[1].split(',');
  const direct = m[2] === 'directConnection=true';
  if (!direct && m[2] !== 'replicaSet=rs0') throw new Error('unexpected options ' + m[2]);
  if (direct && pods[seeds[0]] === 'down') throw new Error('connect ECONNREFUSED ' + seeds[0]);
  const run = cmd => {
    const name = Object.keys(cmd)[0];
    commands.push((direct ? seeds[0] + ' ' : 'primary ') + name);
    if (direct) {
      const host = seeds[0];
      if (name === 'replSetGetStatus') {
        if (member(host)) return {ok: 1, set: 'rs0'};
        if (pods[host] === 'stale') throw fail('InvalidReplicaSetConfig', 'not a member of the set it remembers');
        throw fail('NotYetInitialized', 'no replset config has been received');
      }
      if (name === 'replSetInitiate') {
        if (config !== null) throw fail('AlreadyInitialized', 'already initialized');
        config = {_id: cmd.replSetInitiate._id, version: 1, members: cmd.replSetInitiate.members};
        return {ok: 1};
      }
      throw new Error('unexpected direct command ' + name);
    }
    if (config === null) throw new Error('Server selection timed out: no primary');
    if (name === 'replSetGetConfig') return {ok: 1, config: JSON.parse(JSON.stringify(config))};
    if (name === 'replSetReconfig') {
      const next = cmd.replSetReconfig;
      if (next.version !== config.version + 1) throw fail('NewReplicaSetConfigurationIncompatible', 'version');
      const before = config.members.map(m => m.host);
      const after = next.members.map(m => m.host);
      const changed = before.filter(h => !after.includes(h)).length + after.filter(h => !before.includes(h)).length;
      if (changed > 1) throw fail('NewReplicaSetConfigurationIncompatible', 'more than one member changed');
      if (new Set(next.members.map(m => m._id)).size !== next.members.length) throw fail('InvalidReplicaSetConfig', 'ids');
      config = next;
      return {ok: 1};
    }
    throw new Error('unexpected command ' + name);
  };
  const db = {
    runCommand: run,
    adminCommand: run,
    getSiblingDB: () => db,
    hello: () => ({isWritablePrimary: config !== null}),
  };
  return db;
}
const context = vm.createContext({
  connect,
  print: (...a) => log.push(a.join(' ')),
  sleep: () => {},
  process: {env: {MONGO_USER: 'admin', MONGO_PASSWORD: 'p/&?'}},
  encodeURIComponent,
  Math, Error, JSON,
});
let error = null;
try {
  vm.runInContext(script, context);
} catch (e) {
  error = e.message;
}
console.log(JSON.stringify({ok: error === null, error, config, log, commands}));
