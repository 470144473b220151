CREATE TABLE `authors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`external_id` text NOT NULL,
	`name` text NOT NULL,
	`avatar_url` text,
	`profile_url` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uk_authors_source_ext` ON `authors` (`source`,`external_id`);--> statement-breakpoint
CREATE INDEX `idx_authors_name` ON `authors` (`name`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`work_id` integer NOT NULL,
	`external_id` text NOT NULL,
	`commenter_name` text,
	`commenter_avatar_url` text,
	`content` text,
	`commented_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`work_id`) REFERENCES `works`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uk_comments_work_ext` ON `comments` (`work_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `crawl_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`stage` text NOT NULL,
	`unit_key` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error_kind` text,
	`error_message` text,
	`next_attempt_at` integer,
	`run_id` integer,
	`payload_json` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `fetch_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uk_ledger_unit` ON `crawl_ledger` (`source`,`stage`,`unit_key`);--> statement-breakpoint
CREATE INDEX `idx_ledger_due` ON `crawl_ledger` (`source`,`stage`,`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `artworks_favorite` (
	`user_id` integer NOT NULL,
	`artwork_id` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`user_id`, `artwork_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`artwork_id`) REFERENCES `works`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `idx_fav_work` ON `artworks_favorite` (`artwork_id`);--> statement-breakpoint
CREATE TABLE `fetch_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`command` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`status` text NOT NULL,
	`pages_fetched` integer DEFAULT 0 NOT NULL,
	`works_fetched` integer DEFAULT 0 NOT NULL,
	`details_fetched` integer DEFAULT 0 NOT NULL,
	`authors_fetched` integer DEFAULT 0 NOT NULL,
	`images_downloaded` integer DEFAULT 0 NOT NULL,
	`bytes_downloaded` integer DEFAULT 0 NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`retries` integer DEFAULT 0 NOT NULL,
	`rate_limited` integer DEFAULT 0 NOT NULL,
	`failures_json` text,
	`error_summary` text
);
--> statement-breakpoint
CREATE INDEX `idx_runs_source_started` ON `fetch_runs` (`source`,`started_at`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`payload_json` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`progress` real DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer DEFAULT 3 NOT NULL,
	`result_json` text,
	`error` text,
	`user_id` integer,
	`run_at` integer NOT NULL,
	`locked_by` text,
	`locked_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `idx_jobs_claim` ON `jobs` (`status`,`run_at`);--> statement-breakpoint
CREATE INDEX `idx_jobs_user` ON `jobs` (`user_id`);--> statement-breakpoint
CREATE TABLE `artworks_like` (
	`user_id` integer NOT NULL,
	`artwork_id` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`user_id`, `artwork_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`artwork_id`) REFERENCES `works`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `idx_like_work` ON `artworks_like` (`artwork_id`);--> statement-breakpoint
CREATE TABLE `loras` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`external_id` text NOT NULL,
	`title_cn` text,
	`title_en` text,
	`author` text,
	`avatar_url` text,
	`user_name` text,
	`cover_url` text,
	`cover_key` text,
	`downloads` integer DEFAULT 0 NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`license` text,
	`tags_cn` text,
	`tags_en` text,
	`base_models` text,
	`trigger_words` text,
	`vision_foundation` text,
	`task` text,
	`upstream_updated_at` integer,
	`page_url` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uk_loras_source_ext` ON `loras` (`source`,`external_id`);--> statement-breakpoint
CREATE INDEX `idx_loras_task` ON `loras` (`task`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `idx_sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`profile_pic` text,
	`google_sub` text,
	`password_hash` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uk_users_username` ON `users` (`username`);--> statement-breakpoint
CREATE UNIQUE INDEX `uk_users_email` ON `users` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `uk_users_google_sub` ON `users` (`google_sub`);--> statement-breakpoint
CREATE TABLE `work_images` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`work_id` integer NOT NULL,
	`image_index` integer NOT NULL,
	`src_url` text NOT NULL,
	`s3_key` text,
	`width` integer,
	`height` integer,
	`format` text,
	`content_hash` text,
	`size_bytes` integer,
	`thumbnails_json` text,
	`downloaded_at` integer,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`work_id`) REFERENCES `works`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uk_work_img` ON `work_images` (`work_id`,`image_index`);--> statement-breakpoint
CREATE INDEX `idx_wi_hash` ON `work_images` (`content_hash`);--> statement-breakpoint
CREATE TABLE `work_models` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`work_id` integer NOT NULL,
	`model_type` text NOT NULL,
	`model_name` text NOT NULL,
	`model_url` text,
	`external_model_id` text,
	`is_vip` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`work_id`) REFERENCES `works`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `idx_wm_work` ON `work_models` (`work_id`);--> statement-breakpoint
CREATE INDEX `idx_wm_name` ON `work_models` (`model_name`);--> statement-breakpoint
CREATE TABLE `works` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`external_id` text NOT NULL,
	`slug` text NOT NULL,
	`title` text,
	`title_en` text,
	`status` text DEFAULT 'published' NOT NULL,
	`published_at` integer,
	`tags_json` text,
	`prompt` text,
	`negative_prompt` text,
	`sampler` text,
	`steps` integer,
	`cfg_scale` real,
	`width` integer,
	`height` integer,
	`seed` text,
	`like_count` integer,
	`favorite_count` integer,
	`comment_count` integer,
	`source_url` text,
	`author_id` integer,
	`owner_user_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `authors`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uk_works_source_ext` ON `works` (`source`,`external_id`);--> statement-breakpoint
CREATE INDEX `idx_works_slug` ON `works` (`slug`);--> statement-breakpoint
CREATE INDEX `idx_works_published` ON `works` (`published_at`);--> statement-breakpoint
CREATE INDEX `idx_works_author` ON `works` (`author_id`);--> statement-breakpoint
CREATE INDEX `idx_works_owner` ON `works` (`owner_user_id`);