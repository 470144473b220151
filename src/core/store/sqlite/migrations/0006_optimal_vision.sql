ALTER TABLE `loras` ADD `files_json` text;--> statement-breakpoint
ALTER TABLE `work_images` ADD `recipe_json` text;