/**
 * The embed snippet an admin pastes into the shop: the spec's example of the calls widget,
 * filled in with this channel's channelId, an API key and the server's URL.
 */
import { SDK_PATH } from '@flux/protocol';

export interface EmbedOptions {
  /** The server's origin, e.g. https://calls.example.com */
  serverOrigin: string;
  channelId: string;
  apiKey: string;
  /** Tag used by the example routing; defaults to the spec's 'fashion-support'. */
  tag?: string;
}

const js = (s: string) => JSON.stringify(s).replace(/</g, '\\u003c').replace(/"/g, "'");

export function buildEmbedSnippet(o: EmbedOptions): string {
  const origin = o.serverOrigin.replace(/\/+$/, '');
  const tag = o.tag ?? 'fashion-support';
  // The SDK talks to the server it was loaded from, so the script URL is the server URL.
  return `<div class="my-cool-call-widget"></div>
<script src="${origin}${SDK_PATH}/flux-player.js"></script>
<script>
FluxPlayer.init({
    apiKey: ${js(o.apiKey)},
    channelId: ${js(o.channelId)},
    widgets: {
        calls: {
            renderTo: '.my-cool-call-widget',
            strings: {
                title: 'Call us now',
                text: 'Your call agent for today is {{name}}'
            },
            onBeforeRender: (callAgents) => {
                const callAgent = callAgents.find((callAgent) => callAgent.tags.includes(${js(tag)})) || callAgents[0];

                return {
                    callAgentId: callAgent.id,
                    productIds: ['ITM-BLUE-SHIRT', 'EXT-RED-PANTS']
                }
            }
        }
    }
});
</script>
`;
}
