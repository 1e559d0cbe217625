import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { minify } from 'rolldown/utils';
const root = '/work/main/packages/sdk';
const opts = (extra={}) => ({
  bundle: true, minify: true, target: ['chrome100','firefox100','safari16'], legalComments:'none', charset:'utf8',
  define: { __SDK_VERSION__: '"0.1.0"', __CHUNKS__: JSON.stringify({id:'abcdefghij', callUi:'./call-ui-ABCDEFGH.js'}) },
  write:false, format:'iife', entryPoints:[join(root,'src/global.ts')], outfile:'/tmp/x.js',
  plugins:[{name:'s',setup(b){b.onResolve({filter:/\/chunks\.ts$/},a=>({path:join(a.resolveDir,a.path.replace('chunks.ts','chunks.script.ts'))}))}}], ...extra});
const gz = s => gzipSync(s,{level:9}).length;
for (const [name, extra] of Object.entries({
  base: {},
  mangle: { mangleProps: new RegExp(process.argv[2] ?? '^(host|update|setRoster|fail|dispatch|raw|widget|stop|dead|announce|fatal|issues)$') },
  es2022: { target: 'es2022' },
})) {
  const r = await esbuild.build(opts(extra));
  const code = r.outputFiles[0].text;
  const o = await minify('a.js', code, { compress: { target: 'es2022' } });
  console.log(name.padEnd(8), code.length, gz(code), 'oxc:', o.code.length, gz(o.code));
}
