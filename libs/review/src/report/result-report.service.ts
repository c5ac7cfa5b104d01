import { Inject, Injectable, StreamableFile } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { DataSource } from 'typeorm';
import { Actor } from '@aihub/authz';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { ScenarioEntity } from '@aihub/scenarios';
import { PanelEntity } from '../entities/panel.entity';
import { PanelMemberEntity } from '../entities/panel-member.entity';
import { PanelResultEntity } from '../entities/panel-result.entity';
import { PanelScoreEntity } from '../entities/panel-score.entity';
import { PanelSubjectEntity } from '../entities/panel-subject.entity';
import { ReportFontMissingError } from '../review.errors';
import { ResultsPublicationService } from '../services/results-publication.service';
import { buildReportModel, ReportModel } from './report-model';

/** Fonts with Chinese glyphs, in order of preference ([path, font name inside a collection]). */
const FONT_CANDIDATES: [string, string | undefined][] = [
  ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', 'WenQuanYiMicroHei'],
  ['/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', 'WenQuanYiZenHei'],
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'NotoSansCJKsc-Regular'],
  ['/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf', undefined],
];

/**
 * The result report (评审结果报告) of a scenario as a PDF: the final ranking, the expert panel's
 * aggregates and the experts' comments, anonymized (专家1, 专家2 … per subject order, never names).
 * Readable by whoever may read the results (public once published).
 */
@Injectable()
export class ResultReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly results: ResultsPublicationService,
  ) {}

  async pdf(actor: Actor, scenarioId: string): Promise<StreamableFile> {
    const result = await this.results.readable(actor, scenarioId);
    const manager = this.dataSource.manager;
    const scenario = await manager.getRepository(ScenarioEntity).findOneByOrFail({ id: scenarioId });
    const panel = await manager.getRepository(PanelEntity).findOneByOrFail({ id: result.panelId });
    const [subjects, panelResults, scores] = await Promise.all([
      manager.getRepository(PanelSubjectEntity).find({ where: { panelId: panel.id } }),
      manager
        .getRepository(PanelResultEntity)
        .find({ where: { panelId: panel.id, round: result.panelRound } }),
      manager.getRepository(PanelScoreEntity).find({
        where: { panelId: panel.id, round: result.panelRound },
        order: { createdAt: 'ASC', id: 'ASC' },
      }),
    ]);
    const members = await manager
      .getRepository(PanelMemberEntity)
      .find({ where: { panelId: panel.id }, order: { position: 'ASC', id: 'ASC' } });
    const model = buildReportModel({
      scenario,
      panel,
      result,
      subjects,
      panelResults,
      scores,
      expertOrder: members.map((m) => m.expertId),
    });
    const bytes = await this.render(model);
    return new StreamableFile(bytes, {
      type: 'application/pdf',
      length: bytes.length,
      disposition: `attachment; filename="results-${scenarioId}.pdf"`,
    });
  }

  private font(): { path: string; family?: string } {
    const configured = this.config.review.reportFontPath;
    if (configured) {
      if (!existsSync(configured)) throw new ReportFontMissingError();
      return { path: configured };
    }
    const found = FONT_CANDIDATES.find(([p]) => existsSync(p));
    if (!found) throw new ReportFontMissingError();
    return { path: found[0], family: found[1] };
  }

  render(model: ReportModel): Promise<Buffer> {
    const font = this.font();
    return new Promise((resolve, reject) => {
      const doc = new PDFDocument({
        size: 'A4',
        margin: 50,
        info: { Title: model.title, Producer: 'AI-HUB' },
      });
      const chunks: Buffer[] = [];
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
      doc.registerFont('cjk', font.path, font.family);
      doc.font('cjk');
      doc.fontSize(18).text(model.title, { align: 'center' });
      doc.moveDown(0.5);
      doc.fontSize(10).fillColor('#444');
      for (const line of model.meta) doc.text(line);
      doc.fillColor('#000').moveDown();

      doc.fontSize(14).text('一、最终排名');
      doc.moveDown(0.3).fontSize(10);
      for (const row of model.ranking) doc.text(row);
      doc.moveDown();

      doc.fontSize(14).text('二、专家评审汇总');
      doc.moveDown(0.3).fontSize(10);
      for (const row of model.aggregates) doc.text(row);
      doc.moveDown();

      doc.fontSize(14).text('三、专家评审意见（匿名）');
      doc.moveDown(0.3).fontSize(10);
      if (!model.comments.length) doc.text('（无评审意见）');
      for (const block of model.comments) {
        doc.fontSize(11).text(block.heading);
        doc.fontSize(10);
        for (const c of block.lines) doc.text(c, { indent: 12 });
        doc.moveDown(0.3);
      }
      doc.end();
    });
  }
}
