/** The admin screens, loaded together as one chunk. */
export { Agents } from './Agents.tsx';
export { Products } from './Products.tsx';
export { Keys } from './Keys.tsx';
export { ChannelSettingsPage } from './ChannelSettings.tsx';
export { Embed } from './Embed.tsx';
export { Analytics } from './Analytics.tsx';
export { CallLog } from './CallLog.tsx';
export { Webhooks } from './Webhooks.tsx';
