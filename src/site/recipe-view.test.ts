import { describe, expect, it } from 'vitest';
import { emptyRecipe } from '../core/recipe/recipe.ts';
import { sampleWork } from '../core/snapshot/test-fixtures.ts';
import { imageRecipeViews, recipeOriginNote } from './recipe-view.ts';

describe('recipe views', () => {
  it('says when a recipe was read from PNG info rather than the source’s detail', () => {
    const recipe = (seed: string) => ({ ...emptyRecipe(), prompt: 'p', seed, origin: 'pnginfo' as const });
    const work = sampleWork(3, { images: [0, 1].map((index) => ({ index, url: `/media/x/${index}.png`, thumbUrl: null, width: 8, height: 8, recipe: recipe(String(index + 1)) })) });
    expect(recipeOriginNote(work)).toContain('PNG 元信息');
    expect(imageRecipeViews(work)[1]!.rows.slice(0, 2)).toEqual([{ label: '来源', value: 'PNG 元信息' }, { label: '种子', value: '2' }]);
    expect(recipeOriginNote(sampleWork(4))).toBeNull();
  });
});
