/**
 * Row types of the database, shared by both dialects. Times are epoch milliseconds
 * (INTEGER in SQLite, BIGINT in PostgreSQL), booleans are 0/1 integers, JSON is text.
 */
export interface ChannelsTable {
  id: string;
  slug: string;
  name: string;
  settings: string;
  allow_localhost: number;
  created_at: number;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: number;
}

export interface ProcessBeatsTable {
  node_id: string;
  seen_at: number;
}

export interface ApiKeysTable {
  id: string;
  channel_id: string;
  key_hash: string;
  prefix: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

export interface AllowedOriginsTable {
  id: string;
  channel_id: string;
  origin: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  channel_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  status: string;
  tags: string;
  profile_photo_url: string | null;
  active: number;
  current_call_id: string | null;
  missed_in_a_row: number;
  created_at: number;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  expires_at: number;
  created_at: number;
}

export interface PhotosTable {
  id: string;
  user_id: string;
  content_type: string;
  bytes: Buffer;
  created_at: number;
}

export interface ProductsTable {
  id: string;
  channel_id: string;
  sku: string | null;
  external_id: string | null;
  name: string;
  price: number;
  currency: string;
  image_url: string | null;
  page_url: string | null;
  created_at: number;
}

export interface CallsTable {
  id: string;
  channel_id: string;
  agent_id: string;
  status: string;
  requested_at: number;
  ringing_at: number | null;
  connected_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  end_detail: string | null;
  page_url: string | null;
  visitor: string;
  unknown_product_ids: string;
  rating: number | null;
  notes: string;
  /** Milliseconds of the visitor's weak spells that ended (migration 0007). */
  visitor_weak_ms: number;
  /** Start of the visitor's weak spell still going, else null. */
  visitor_weak_since: number | null;
  agent_weak_ms: number;
  agent_weak_since: number | null;
  /** 1 once either side's link was weak (the call log's filter; migration 0008). */
  weak_link: number;
}

export interface CallProductsTable {
  call_id: string;
  position: number;
  product_id: string;
}

export interface CallProductEventsTable {
  id: string;
  call_id: string;
  product_id: string;
  kind: string;
  at: number;
}

export interface CallbacksTable {
  id: string;
  channel_id: string;
  call_id: string | null;
  name: string;
  contact: string;
  note: string;
  page_url: string | null;
  status: string;
  taken_by: string | null;
  created_at: number;
}

export interface WebhooksTable {
  id: string;
  channel_id: string;
  url: string;
  secret: string;
  created_at: number;
}

/** One event for one webhook; `payload` is the exact JSON body sent (signed as is). */
export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  channel_id: string;
  event_id: string;
  event: string;
  payload: string;
  status: string;
  attempts: number;
  /** Due time of the next attempt (pending); a claim pushes it forward as a lease. */
  next_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface Database {
  channels: ChannelsTable;
  server_secrets: ServerSecretsTable;
  process_beats: ProcessBeatsTable;
  api_keys: ApiKeysTable;
  allowed_origins: AllowedOriginsTable;
  users: UsersTable;
  sessions: SessionsTable;
  photos: PhotosTable;
  products: ProductsTable;
  calls: CallsTable;
  call_products: CallProductsTable;
  call_product_events: CallProductEventsTable;
  callbacks: CallbacksTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
