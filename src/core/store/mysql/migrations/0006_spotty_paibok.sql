ALTER TABLE `loras` ADD `files_json` longtext;--> statement-breakpoint
ALTER TABLE `work_images` ADD `recipe_json` longtext;